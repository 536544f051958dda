-- ARGV: ck.
drop(ARGV[1], nil)
return 1
