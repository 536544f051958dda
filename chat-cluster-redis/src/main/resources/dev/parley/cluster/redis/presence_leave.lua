-- ARGV: ck, room. Returns 1 when it was the user's last connection in room.
redis.call('SREM', P .. 'cr:' .. ARGV[1], ARGV[2])
if leave_room(ARGV[2], ARGV[1]) then
  return 1
end
return 0
