-- ARGV: node, ck, user id, name, most connections the user may have. Returns 1 when recorded.
register(ARGV[1])
if redis.call('EXISTS', P .. 'c:' .. ARGV[2]) == 1 then
  return 1
end
if redis.call('SCARD', P .. 'u:' .. ARGV[3]) >= tonumber(ARGV[5]) then
  return 0
end
record(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return 1
