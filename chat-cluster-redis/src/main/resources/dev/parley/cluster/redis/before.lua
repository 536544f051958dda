-- Up to ARGV[2] entries of stream KEYS[1] before seq ARGV[1] (exclusive), newest first. The id
-- is written whole: an end bound '(8' alone would mean '(8-<max>', which includes 8-0.
return redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[1] .. '-0', '-', 'COUNT', ARGV[2])
