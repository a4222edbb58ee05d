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

/**
 * Removes a tag set member only if its value still carries the tag (see tag-frame.ts): KEYS[1] = member value key,
 * ARGV[1] = tag (UTF-8), ARGV[2] = the frame magic. A value without a frame (written before frames existed) is
 * removed, as its tags are unknown. Returns 1 if it removed the key.
 */
export const TAG_DELETE_SCRIPT = `
local head = redis.call('GETRANGE', KEYS[1], 0, 7)
if #head == 0 then return 0 end
if #head < 8 or string.sub(head, 1, 4) ~= ARGV[2] then
  return redis.call('UNLINK', KEYS[1])
end
local b1, b2, b3, b4 = string.byte(head, 5, 8)
local n = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
if n == 0 then return 0 end
local tags = redis.call('GETRANGE', KEYS[1], 8, 7 + n)
local tag = ARGV[1]
local at = 1
while at + 3 <= #tags do
  local c1, c2, c3, c4 = string.byte(tags, at, at + 3)
  local len = ((c1 * 256 + c2) * 256 + c3) * 256 + c4
  if len == #tag and string.sub(tags, at + 4, at + 3 + len) == tag then
    return redis.call('UNLINK', KEYS[1])
  end
  at = at + 4 + len
end
return 0
`;
