-- Shared by the presence scripts. Every presence key starts with KEYS[1] ('<ns>:{presence}:'), so
-- all of presence lives in one slot and each script is atomic on a Redis Cluster too. With P that
-- prefix and ck a connection's key (its node and id):
--   P..'nodes'    zset  node -> when its lease runs out (ms, Redis's clock)
--   P..'beating'  set   nodes whose lease a heartbeat set (not just the grace of a first sighting)
--   P..'last'     string when any node last heartbeat (ms, Redis's clock)
--   P..'n:'..node set   the node's connections (ck)
--   P..'c:'..ck   hash  n = node, u = user id, m = display name
--   P..'cr:'..ck  set   rooms the connection is in
--   P..'u:'..uid  set   the user's connections, cluster-wide
--   P..'r:'..room zset  the room's users, scored by join order
--   P..'rc:'..room hash ck -> user id: the room's connections
--   P..'rn:'..room hash user id -> how many of the user's connections are in the room
--   P..'rm:'..room hash user id -> display name
local P = KEYS[1]
local NODES = P .. 'nodes'
local BEATING = P .. 'beating'
local LAST = P .. 'last'

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- a node first seen writing (before its first heartbeat) gets a minute to send one
local function register(node)
  redis.call('ZADD', NODES, 'NX', now_ms() + 60000, node)
end

local function record(node, ck, uid, name)
  if redis.call('EXISTS', P .. 'c:' .. ck) == 1 then
    return
  end
  redis.call('HSET', P .. 'c:' .. ck, 'n', node, 'u', uid, 'm', name)
  redis.call('SADD', P .. 'u:' .. uid, ck)
  redis.call('SADD', P .. 'n:' .. node, ck)
end

-- removes connection ck from room; true when it was its user's last connection there
local function leave_room(room, ck)
  local uid = redis.call('HGET', P .. 'rc:' .. room, ck)
  if not uid then
    return false
  end
  redis.call('HDEL', P .. 'rc:' .. room, ck)
  if redis.call('HINCRBY', P .. 'rn:' .. room, uid, -1) > 0 then
    return false
  end
  redis.call('HDEL', P .. 'rn:' .. room, uid)
  redis.call('ZREM', P .. 'r:' .. room, uid)
  redis.call('HDEL', P .. 'rm:' .. room, uid)
  return true
end

-- removes connection ck and its room entries; adds {room, user id, name} to out for every room
-- its user left by that (when out is given)
local function drop(ck, out)
  local c = redis.call('HMGET', P .. 'c:' .. ck, 'n', 'u', 'm')
  for _, room in ipairs(redis.call('SMEMBERS', P .. 'cr:' .. ck)) do
    if leave_room(room, ck) and out and c[2] then
      out[#out + 1] = room
      out[#out + 1] = c[2]
      out[#out + 1] = c[3] or c[2]
    end
  end
  redis.call('DEL', P .. 'c:' .. ck, P .. 'cr:' .. ck)
  if c[2] then
    redis.call('SREM', P .. 'u:' .. c[2], ck)
  end
  if c[1] then
    redis.call('SREM', P .. 'n:' .. c[1], ck)
  end
end

-- removes everything of node; runs in one script, so two sweepers never both see an entry
local function sweep(node, out)
  for _, ck in ipairs(redis.call('SMEMBERS', P .. 'n:' .. node)) do
    drop(ck, out)
  end
  redis.call('DEL', P .. 'n:' .. node)
  redis.call('ZREM', NODES, node)
  redis.call('SREM', BEATING, node)
end
