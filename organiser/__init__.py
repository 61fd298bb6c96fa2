"""The organiser's office, before and after the event: today the certificates of attendance."""
