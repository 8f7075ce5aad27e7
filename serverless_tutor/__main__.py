from serverless_tutor.cli import main

raise SystemExit(main())
