# prof.sh N DIR (N=0: one node in memory), an.py DIR: per-thread utime+stime and context switches from /proc/<pid>/task/*/{stat,status}, two snapshots WIN s apart inside the measured window (START s after start), nice -10, the same load as SCENARIOS=cluster.
import sys, collections, re
d=sys.argv[1]
def load(f):
    r={}
    for line in open(f):
        parts=line.rstrip('\n').split('|')
        head,t,cs=parts[0],parts[1],(parts[2] if len(parts)>2 and parts[2] else '0')
        i,tid,name=head.split(' ',2)
        v_,n_=(cs.split(':')+['0'])[:2] if ':' in cs else (cs,'0')
        r[(i,tid)]=(name,int(t),int(v_),int(n_))
    return r
a=load(d+'/s0'); b=load(d+'/s1')
t=float(open(d+'/t1').read())-float(open(d+'/t0').read())
per=collections.defaultdict(float); tot=collections.defaultdict(float); csw=collections.defaultdict(float)
inv=collections.defaultdict(float)
for k,(name,v,c,ic) in b.items():
    o=a.get(k,(name,0,0,0)); v0=o[1]; c0=o[2]; inv[(k[0],re.sub(r'[-#]?\d+$','',name))]+=ic-o[3]
    g=re.sub(r'[-#]?\d+$','',name)
    per[(k[0],g)]+= (v-v0); csw[(k[0],g)]+=(c-c0)
    tot[k[0]]+=(v-v0)
print("window %.1fs total %.4f cores"%(t, sum(tot.values())/100/t))
for n in sorted(tot):
    print("node %s: %.4f cores"%(n, tot[n]/100/t))
    for (nn,g),v in sorted(per.items(), key=lambda x:-x[1]):
        if nn==n and (v>0 or csw[(nn,g)]>0): print("   %-28s %.4f cores (%4.0f ticks) %6.1f vol %5.1f invol switches/msg"%(g, v/100/t, v, csw[(nn,g)]/t/40, inv[(nn,g)]/t/40))
