from opencoc.cli import main

main()
