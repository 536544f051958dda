-- ARGV: node, ttl (ms). Renews node's lease and sweeps every node whose lease ran out, this one
-- included (its entries are gone then, and it is told so). Returns {known, room, user id, name,
-- ...}: known is 1 when the node's entries were alive, then the departures the sweeps caused.
local node = ARGV[1]
local ttl = tonumber(ARGV[2])
local now = now_ms()
local out = {}
local known = 0
-- No node at all heartbeat for longer than a lease: Redis was away (down, blocked, unreachable)
-- for every node alike, not the nodes for Redis. Sweeping now would announce the departure of
-- every user still connected; instead every lease runs a full ttl from now, so the live nodes
-- renew theirs and only the nodes that really died meanwhile are swept, one ttl later.
local last = redis.call('GET', LAST)
if last and now - tonumber(last) > ttl then
  for _, n in ipairs(redis.call('ZRANGEBYSCORE', NODES, '-inf', '(' .. (now + ttl))) do
    redis.call('ZADD', NODES, now + ttl, n)
  end
end
redis.call('SET', LAST, now)
local lease = redis.call('ZSCORE', NODES, node)
if lease then
  if tonumber(lease) >= now then
    known = redis.call('SISMEMBER', BEATING, node)
  else
    sweep(node, out)
  end
end
redis.call('ZADD', NODES, now + ttl, node)
redis.call('SADD', BEATING, node)
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', NODES, '-inf', '(' .. now)) do
  sweep(dead, out)
end
table.insert(out, 1, known)
return out
