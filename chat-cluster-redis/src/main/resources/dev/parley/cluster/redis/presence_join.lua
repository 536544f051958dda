-- ARGV: node, ck, room, user id, name. Returns 1 when it is the user's first connection in room.
local room, ck, uid = ARGV[3], ARGV[2], ARGV[4]
register(ARGV[1])
record(ARGV[1], ck, uid, ARGV[5])
redis.call('SADD', P .. 'cr:' .. ck, room)
if redis.call('HSETNX', P .. 'rc:' .. room, ck, uid) == 0 then
  return 0
end
if redis.call('HINCRBY', P .. 'rn:' .. room, uid, 1) > 1 then
  return 0
end
redis.call('ZADD', P .. 'r:' .. room, redis.call('INCR', P .. 'order'), uid)
redis.call('HSET', P .. 'rm:' .. room, uid, ARGV[5])
return 1
