from demo_gen.cli import main

main()
