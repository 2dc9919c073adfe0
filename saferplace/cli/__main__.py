"""`python -m saferplace.cli VERB …`: the `saferplace` command, as `saferplace demo` starts its
web server and worker."""

from saferplace.cli import main

main()
