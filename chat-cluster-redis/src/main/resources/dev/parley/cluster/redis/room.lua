-- Shared by the history scripts. KEYS[1] is the room's meta hash (e = epoch, s = last seq), KEYS[2]
-- its stream, KEYS[3] its cid hash, KEYS[4] its read markers; all four carry the room as their
-- hash tag, so every script runs on one slot of a Redis Cluster.

-- The room's epoch. A missing meta means the room's history is gone (never written, Redis
-- restarted empty, or the key was lost): it starts a new epoch (the caller's candidate) at seq 0,
-- and drops whatever the stream, cids and read markers still hold of the old one, whose seqs would
-- otherwise mix with the new run.
local function room_epoch(candidate)
  local epoch = redis.call('HGET', KEYS[1], 'e')
  if epoch then
    return epoch
  end
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  redis.call('HSET', KEYS[1], 'e', candidate, 's', 0)
  return candidate
end
