-- ARGV: node. Removes everything of node; returns {room, user id, name, ...} it caused.
local out = {}
sweep(ARGV[1], out)
return out
