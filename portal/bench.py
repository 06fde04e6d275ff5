"""`make bench` runs `python -m portal.bench`: the benchmark lives in `portal.figures.bench`."""
import sys

from portal.figures.bench import main

if __name__ == "__main__":
    sys.exit(main())
