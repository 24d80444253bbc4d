#!/bin/sh
# /usr/local/bin/hello.sh: a #! script in the simulated root file system.
echo hello from a script run by /bin/sh
exit 0
