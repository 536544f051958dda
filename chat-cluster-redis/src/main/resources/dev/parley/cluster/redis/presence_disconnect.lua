-- ARGV: ck. Removes the connection; returns {room, user id, name, ...} for every room its user
-- left by that.
local out = {}
drop(ARGV[1], out)
return out
