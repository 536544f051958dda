-- Moves user ARGV[1]'s read marker in hash KEYS[1] to seq ARGV[2] unless it is already there or
-- further; returns the marker after the call.
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and tonumber(current) >= tonumber(ARGV[2]) then
  return current
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
