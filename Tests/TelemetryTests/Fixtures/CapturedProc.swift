/// Files read on the development machine (Linux 6.18, 2 CPUs, 23.5 GiB) with `cat /proc/stat`,
/// `cat /proc/meminfo`, `cat /proc/self/stat` and `cat /proc/self/status`, byte for byte
/// (tabs included). Embedded as literals so no resource bundle is needed on Linux.
enum CapturedProc {
    static let stat = #"""
cpu  987705 0 130991 928818 11934 0 12298 8482 0 0
cpu0 474708 0 62882 488256 4681 0 4922 4265 0 0
cpu1 512997 0 68108 440561 7253 0 7376 4217 0 0
intr 11209657 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 9 0 0 0 0 2084 503 0 182 1 2284078 0 1180 1021 0 5782 11034 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
ctxt 24633975
btime 1795430846
processes 184881
procs_running 2
procs_blocked 0
softirq 20032759 0 788303 4 14538582 2283912 0 6 878481 48565 1494906

"""#

    /// `/proc/stat` again, about 229 s after `stat` (45,816 ticks over 2 CPUs).
    static let statLater = #"""
cpu  1015779 0 136241 940898 12118 0 12420 8588 0 0
cpu0 488613 0 65361 494611 4732 0 4967 4319 0 0
cpu1 527166 0 70879 446286 7386 0 7453 4269 0 0
intr 11407998 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 9 0 0 0 0 2130 516 0 186 1 2308096 0 1180 1021 0 5994 11522 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
ctxt 24980255
btime 1795430846
processes 193561
procs_running 3
procs_blocked 0
softirq 20227708 0 814280 122 14584522 2307929 0 21 907834 48572 1564428

"""#

    static let meminfo = #"""
MemTotal:       24683656 kB
MemFree:        23485772 kB
MemAvailable:   24255500 kB
Buffers:            7136 kB
Cached:           796148 kB
SwapCached:            0 kB
Active:           398208 kB
Inactive:         403316 kB
Active(anon):       1524 kB
Inactive(anon):     5668 kB
Active(file):     396684 kB
Inactive(file):   397648 kB
Unevictable:       11068 kB
Mlocked:            9516 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:             58652 kB
Writeback:            52 kB
AnonPages:          9208 kB
Mapped:            15460 kB
Shmem:              8952 kB
KReclaimable:     272316 kB
Slab:             303960 kB
SReclaimable:     272316 kB
SUnreclaim:        31644 kB
KernelStack:        1332 kB
PageTables:         1840 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:    12341828 kB
Committed_AS:      54712 kB
VmallocTotal:   34359738367 kB
VmallocUsed:        5540 kB
VmallocChunk:          0 kB
Percpu:              688 kB
AnonHugePages:         0 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:     10240 kB
FilePmdMapped:         0 kB
Balloon:               0 kB
HugePages_Total:       0
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:               0 kB
DirectMap4k:       20480 kB
DirectMap2M:     2076672 kB
DirectMap1G:    25165824 kB

"""#

    /// `cat` reading its own stat: pid 22624, comm `cat`, state R, start 1042482 ticks, 350 pages.
    static let selfStat = #"""
22624 (cat) R 22617 22617 19899 0 -1 4194304 111 0 0 0 0 0 0 0 20 0 1 0 1042482 3133440 350 18446744073709551615 94357216485376 94357216505257 140724807967904 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94357216521264 94357216522880 94358169329664 140724807973566 140724807973586 140724807973586 140724807974891 0

"""#

    /// `cat` reading its own status: VmRSS 1684 kB.
    static let selfStatus = #"""
Name:	cat
Umask:	0022
State:	R (running)
Tgid:	22625
Ngid:	0
Pid:	22625
PPid:	22617
TracerPid:	0
Uid:	0	0	0	0
Gid:	0	0	0	0
FDSize:	256
Groups:	 
NStgid:	22625
NSpid:	22625
NSpgid:	22617
NSsid:	19899
Kthread:	0
VmPeak:	    3060 kB
VmSize:	    3060 kB
VmLck:	       0 kB
VmPin:	       0 kB
VmHWM:	    1684 kB
VmRSS:	    1684 kB
RssAnon:	     116 kB
RssFile:	    1568 kB
RssShmem:	       0 kB
VmData:	     360 kB
VmStk:	     132 kB
VmExe:	      20 kB
VmLib:	    1528 kB
VmPTE:	      48 kB
VmSwap:	       0 kB
HugetlbPages:	       0 kB
CoreDumping:	0
THP_enabled:	1
untag_mask:	0xffffffffffffffff
Threads:	1
SigQ:	0/96364
SigPnd:	0000000000000000
ShdPnd:	0000000000000000
SigBlk:	0000000000000000
SigIgn:	0000000000000000
SigCgt:	0000000000000000
CapInh:	0000000000000000
CapPrm:	000001fffeffffff
CapEff:	000001fffeffffff
CapBnd:	000001fffeffffff
CapAmb:	0000000000000000
NoNewPrivs:	0
Seccomp:	0
Seccomp_filters:	0
Speculation_Store_Bypass:	thread vulnerable
SpeculationIndirectBranch:	conditional enabled
Cpus_allowed:	3
Cpus_allowed_list:	0-1
Mems_allowed:	00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000001
Mems_allowed_list:	0
voluntary_ctxt_switches:	0
nonvoluntary_ctxt_switches:	0

"""#
}
