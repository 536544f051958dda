-- One message, as one atomic step: de-duplicate by the sender's cid, read or create the epoch,
-- take the next seq, XADD (trimmed to MAXLEN), move the sender's read marker, PUBLISH the event.
-- ARGV: 1 epoch candidate, 2 maxlen, 3 id, 4 from, 5 name, 6 to ('' = none), 7 body, 8 ts,
--       9 cid field ('' = none), 10 channel count n, 11..10+n channels,
--       11+n the event's holes ('e' epoch, 's' seq, in order), 12+n.. the event's text around them.
-- Returns {0, epoch, seq} or, for a cid seen before, {1, epoch, seq, fields of the first}.
local epoch = room_epoch(ARGV[1])
local cid = ARGV[9]
if cid ~= '' then
  local seen = redis.call('HGET', KEYS[3], cid)
  if seen then
    local first = redis.call('XRANGE', KEYS[2], seen, seen)
    if #first > 0 then
      return {1, epoch, seen, first[1][2]}
    end
  end
end

local seq = string.format('%d', redis.call('HINCRBY', KEYS[1], 's', 1))
redis.call('PERSIST', KEYS[1])

-- the entries MAXLEN is about to trim take their cids with them: a cid is remembered exactly as
-- long as its message is held
local maxlen = tonumber(ARGV[2])
local excess = redis.call('XLEN', KEYS[2]) - maxlen + 1
if excess > 0 then
  for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', excess)) do
    local f = entry[2]
    for i = 1, #f, 2 do
      if f[i] == 'c' then
        redis.call('HDEL', KEYS[3], f[i + 1])
      end
    end
  end
end

local fields = {'i', ARGV[3], 'f', ARGV[4], 'n', ARGV[5], 'b', ARGV[7], 'ts', ARGV[8]}
if ARGV[6] ~= '' then
  fields[#fields + 1] = 't'
  fields[#fields + 1] = ARGV[6]
end
if cid ~= '' then
  fields[#fields + 1] = 'c'
  fields[#fields + 1] = cid
  redis.call('HSET', KEYS[3], cid, seq)
end
redis.call('XADD', KEYS[2], 'MAXLEN', maxlen, seq, unpack(fields))

local read = redis.call('HGET', KEYS[4], ARGV[4])
if not read or tonumber(read) < tonumber(seq) then
  redis.call('HSET', KEYS[4], ARGV[4], seq)
end

local n = tonumber(ARGV[10])
if n > 0 then
  local holes = ARGV[11 + n]
  local text = {ARGV[12 + n]}
  for i = 1, #holes do
    text[#text + 1] = (string.sub(holes, i, i) == 'e') and epoch or seq
    text[#text + 1] = ARGV[12 + n + i]
  end
  local payload = table.concat(text)
  for i = 1, n do
    redis.call('PUBLISH', ARGV[10 + i], payload)
  end
end
return {0, epoch, seq}
