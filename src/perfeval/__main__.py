from perfeval.cli.app import main

main()
