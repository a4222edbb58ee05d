/**
 * Adds a member to a tag set and keeps the set alive at least as long as its longest-lived member.
 * KEYS[1] = tag set, ARGV[1] = member key, ARGV[2] = member TTL in ms (-1 = member never expires).
 */
export const TAG_ADD_SCRIPT = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl < 0 then
  redis.call('PERSIST', KEYS[1])
  return 1
end
local current = redis.call('PTTL', KEYS[1])
if existed == 0 or (current >= 0 and current < ttl) then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
`;

/** Deletes KEYS[1] only if it still holds ARGV[1] (the lock holder's token). Returns 1 if it deleted. */
export const COMPARE_AND_DELETE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;
