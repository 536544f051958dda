import json, sys, re, collections
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); secs=float(sys.argv[3]); deliveries=float(sys.argv[4])
agg = collections.defaultdict(lambda: [0,0])
for tid,(comm,ut,st) in b.items():
    ut0, st0 = (a[tid][1], a[tid][2]) if tid in a else (0,0)
    key = re.sub(r'\d+', 'N', comm)
    agg[key][0] += ut-ut0; agg[key][1] += st-st0
tot_u = sum(v[0] for v in agg.values()); tot_s = sum(v[1] for v in agg.values())
print(f"total user {tot_u/100:.2f}s sys {tot_s/100:.2f}s over {secs}s; us/delivery {(tot_u+tot_s)*1e4/deliveries:.2f} (user {tot_u*1e4/deliveries:.2f})")
for k,(u,s) in sorted(agg.items(), key=lambda kv: -(kv[1][0]+kv[1][1])):
    if u+s>0: print(f"  {k:30s} user {u/100:6.2f}s sys {s/100:6.2f}s  us/delivery {(u+s)*1e4/deliveries:.3f}")
