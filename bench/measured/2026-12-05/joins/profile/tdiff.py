import json,sys
a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
d=sorted(((b[k]-a.get(k,0),k) for k in b), reverse=True)
print(' '.join(f'{k.split(" ",1)[1]}={v*10}ms' for v,k in d if v>0))
