from auditor.cli import console_main

console_main()
