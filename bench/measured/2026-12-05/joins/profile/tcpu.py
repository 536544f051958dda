import os,sys,json
pid=sys.argv[1]
out={}
for t in os.listdir(f'/proc/{pid}/task'):
    try:
        s=open(f'/proc/{pid}/task/{t}/stat').read()
        name=s[s.index('(')+1:s.rindex(')')]
        f=s[s.rindex(')')+2:].split()
        out[t+' '+name]=int(f[11])+int(f[12])
    except Exception: pass
json.dump(out,open(sys.argv[2],'w'))
