"""The dashboard's widgets: each draws one panel's data (attributes down, messages up)."""
