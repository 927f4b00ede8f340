import sys

from bench.core import main

sys.exit(main())
