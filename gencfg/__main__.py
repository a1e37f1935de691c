from gencfg.cli import main

raise SystemExit(main())
