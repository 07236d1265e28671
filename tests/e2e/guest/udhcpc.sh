#!/bin/sh
# udhcpc event script: configure the lease and report it.
case "$1" in
bound|renew)
    ip addr add "$ip/${mask:-24}" dev "$interface" 2>/dev/null
    echo "lease $ip on $interface from ${serverid:-?} router ${router:-?}"
    ;;
esac
exit 0
