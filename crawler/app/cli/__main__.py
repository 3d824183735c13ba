import sys

from crawler.app.cli import main

sys.exit(main())
