-- ARGV: node, ttl (ms). Renews node's lease and sweeps every node whose lease ran out, this one
-- included (its entries are gone then, and it is told so). Returns {known, room, user id, name,
-- ...}: known is 1 when the node's entries were alive, then the departures the sweeps caused.
local node = ARGV[1]
local now = now_ms()
local out = {}
local known = 0
local lease = redis.call('ZSCORE', NODES, node)
if lease then
  if tonumber(lease) >= now then
    known = redis.call('SISMEMBER', BEATING, node)
  else
    sweep(node, out)
  end
end
redis.call('ZADD', NODES, now + tonumber(ARGV[2]), node)
redis.call('SADD', BEATING, node)
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', NODES, '-inf', '(' .. now)) do
  sweep(dead, out)
end
table.insert(out, 1, known)
return out
