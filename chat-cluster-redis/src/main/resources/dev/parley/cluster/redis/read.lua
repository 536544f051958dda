-- The room's position and, when ARGV[3] is not '', up to ARGV[4] entries after seq ARGV[3], read
-- together. ARGV[1] is an epoch candidate for a room without meta; ARGV[2] how long (seconds) the
-- meta of a room with no messages lives, so reads of rooms nobody writes to do not pile up keys.
-- Returns {epoch, last seq, entries}.
local epoch = room_epoch(ARGV[1])
local last = tonumber(redis.call('HGET', KEYS[1], 's'))
if last == 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
local entries = {}
if ARGV[3] ~= '' and tonumber(ARGV[3]) < last then
  entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[3] .. '-0', '+', 'COUNT', ARGV[4])
end
return {epoch, last, entries}
