import sys

from lowcode.commands.main import main

sys.exit(main())
