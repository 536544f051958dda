import re, collections, sys
d=sys.argv[1]
r=int(open(d+'/ready.txt').read().split()[1]); lo=r+12000; hi=r+28000
c=collections.Counter(); n=0; deopt=0; made=0
for line in open(d+'/server.log'):
    m=re.match(r'\s*(\d+)\s+\d+\s+([%sbn!]*)\s*(\d)\s+(\S+)',line)
    if not m: continue
    t=int(m.group(1))
    if lo<=t<=hi:
        n+=1
        if 'made not entrant' in line: made+=1
        meth=m.group(4); tier=m.group(3)
        pkg='.'.join(meth.split('::')[0].split('.')[:3])
        c[pkg]+=1
print(d, 'compiles in window', n, 'made not entrant', made)
for k,v in c.most_common(15): print(' ',v,k)
