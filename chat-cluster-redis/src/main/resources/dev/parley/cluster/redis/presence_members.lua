-- ARGV: room, limit. Returns {count, user id, name, user id, name, ...} in join order.
local users = P .. 'r:' .. ARGV[1]
local out = {redis.call('ZCARD', users)}
local limit = tonumber(ARGV[2])
if limit > 0 then
  for _, uid in ipairs(redis.call('ZRANGE', users, 0, limit - 1)) do
    out[#out + 1] = uid
    out[#out + 1] = redis.call('HGET', P .. 'rm:' .. ARGV[1], uid) or uid
  end
end
return out
