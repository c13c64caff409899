from kviz.cli import main

raise SystemExit(main())
