# Hostile config-space writes, the same from a PV and an HVM guest (sourced
# by baseline.sh). dom0's shared-verdicts scenario compares what the two
# device models decided for each write (their trace) and what each guest
# read back. Between two marker writes to a reserved register the guest
# issues, with no driver bound:
#   decode bits off and on, status all ones (rw1c), IDs, BIST, capability
#   pointer, interrupt line and pin, Min_Gnt/Max_Lat, MSI address/data,
#   MSI enable asking for 32 vectors, INTx enable while MSI is enabled,
#   MSI disable, unlisted registers.
# One line per write in cfgwrites.txt: "N REG=VALUE -> READBACK".
CFGW_LIST="
0x04.w=0x0000
0x04.w=0x0407
0x06.w=0xffff
0x00.l=0xdeadbeef
0x0f.b=0xff
0x34.b=0x00
0x3c.b=0x0b
0x3d.b=0x04
0x3e.w=0xffff
CAP_MSI+4.l=0xfee00000
CAP_MSI+8.l=0x00000000
CAP_MSI+0xc.w=0x0041
CAP_MSI+2.w=0x0071
0x04.w=0x0007
CAP_MSI+2.w=0x0000
0x60.l=0x12345678
0xfc.l=0xffffffff
"
CFGW_BEGIN=0x38.l=0xe2e0b001
CFGW_END=0x38.l=0xe2e0e002

# cfg_writes BDF: the writes above on the function at BDF.
cfg_writes() {
    local b=$1 d n=0 w reg out=$OUTD/cfgwrites.txt
    d=/sys/bus/pci/devices/$b/driver
    [ -e "$d" ] && echo "$b" >"$d/unbind"
    if [ -e "$d" ]; then
        gfail cfgwrites "cannot unbind the driver of $b"; return 1
    fi
    : >"$out"
    setpci -s "$b" "$CFGW_BEGIN" || { gfail cfgwrites "setpci $CFGW_BEGIN failed"; return 1; }
    for w in $CFGW_LIST; do
        n=$((n + 1))
        reg=${w%=*}
        setpci -s "$b" "$w" 2>>"$out.err"
        echo "$n $w -> $(setpci -s "$b" "$reg" 2>&1)" >>"$out"
    done
    setpci -s "$b" "$CFGW_END"
    gfile "$out" cfgwrites.txt
    if [ "$(grep -c ' -> [0-9a-f]*$' "$out")" = "$n" ]; then
        gpass cfgwrites
    else
        gfail cfgwrites "$(grep -vc ' -> [0-9a-f]*$' "$out") of $n read-backs failed"
    fi
    ginfo "config writes on $b: $(tr '\n' ';' <"$out")"
}
