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
 * ARGV[1] = tag (UTF-8), ARGV[2] = the format-1 frame magic, ARGV[3] = the format-2 frame magic, ARGV[4] = the
 * tombstone magic. A value without a frame (written before frames existed) is removed, as its tags are unknown; a
 * tombstone is left alone. Returns 1 if it removed the key.
 */
export const TAG_DELETE_SCRIPT = `
local head = redis.call('GETRANGE', KEYS[1], 0, 31)
if #head == 0 then return 0 end
local magic = string.sub(head, 1, 4)
if magic == ARGV[4] then return 0 end
local at
if magic == ARGV[2] then at = 5 elseif magic == ARGV[3] then at = 29 else
  return redis.call('UNLINK', KEYS[1])
end
if #head < at + 3 then return redis.call('UNLINK', KEYS[1]) end
local b1, b2, b3, b4 = string.byte(head, at, at + 3)
local n = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
if n == 0 then return 0 end
local tags = redis.call('GETRANGE', KEYS[1], at + 3, at + 2 + n)
local tag = ARGV[1]
local i = 1
while i + 3 <= #tags do
  local c1, c2, c3, c4 = string.byte(tags, i, i + 3)
  local len = ((c1 * 256 + c2) * 256 + c3) * 256 + c4
  if len == #tag and string.sub(tags, i + 4, i + 3 + len) == tag then
    return redis.call('UNLINK', KEYS[1])
  end
  i = i + 4 + len
end
return 0
`;

/**
 * The key's state as tag-frame.ts parseFrame names it ('' nothing, 'v'/'t' + token, 'l' older format), from its
 * first 28 bytes. Shared by the scripts below (ARGV[1..2] = format-2 and tombstone magic).
 */
const STATE_OF = `
local head = redis.call('GETRANGE', KEYS[1], 0, 27)
local state = 'l'
if #head == 0 then state = ''
elseif #head == 28 and string.sub(head, 1, 4) == ARGV[1] then state = 'v' .. string.sub(head, 5, 28)
elseif #head == 28 and string.sub(head, 1, 4) == ARGV[2] then state = 't' .. string.sub(head, 5, 28)
end
`;

/**
 * Conditional write (a load's write-back, a promotion, a demotion): sets KEYS[1] only if its state is still the
 * one the writer read. ARGV[3] = expected state, ARGV[4] = framed value, ARGV[5] = TTL in ms (-1 = none). Returns
 * 1 if it wrote, 0 if the key changed since (a write, or a delete's tombstone).
 */
export const SET_IF_UNCHANGED_SCRIPT = `${STATE_OF}
if state ~= ARGV[3] then return 0 end
local ttl = tonumber(ARGV[5])
if ttl < 0 then redis.call('SET', KEYS[1], ARGV[4]) else redis.call('SET', KEYS[1], ARGV[4], 'PX', ttl) end
return 1
`;

/**
 * Key delete: replaces KEYS[1] (present or not) with a tombstone. ARGV[1] = tombstone frame, ARGV[2] = its
 * lifetime in ms, ARGV[3] = tombstone magic. Returns 1 if a value was there.
 */
export const TOMBSTONE_SCRIPT = `
local head = redis.call('GETRANGE', KEYS[1], 0, 3)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if #head == 0 or head == ARGV[3] then return 0 end
return 1
`;
