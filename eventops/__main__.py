from eventops.cli import main

main()
