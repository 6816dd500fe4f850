from minyi.cli import main

main()
