-- ArgoCD health check for pbx3sbc.io/DispatcherSet: the Accepted and Healthy conditions as ArgoCD verdicts.
-- Accepted False (left out of a fleet's routing database) -> Degraded;
-- Healthy False (some edge sees no active destination up: new calls get 503 there) -> Degraded;
-- Healthy Unknown (no edge reported yet) or a status older than this generation -> Progressing;
-- otherwise Healthy, with the operator's message (which names destinations that are down).
local hs = { status = "Progressing", message = "Waiting for the operator to act on this DispatcherSet" }
if obj.status == nil then
  return hs
end
local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < generation) then
  return hs
end
local conditions = {}
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    conditions[c.type] = c
  end
end
local accepted = conditions["Accepted"]
if accepted ~= nil and accepted.status == "False" then
  hs.status = "Degraded"
  hs.message = accepted.reason .. ": " .. accepted.message
  return hs
end
local healthy = conditions["Healthy"]
if healthy == nil or healthy.status == "Unknown" then
  hs.message = healthy ~= nil and healthy.message or "Waiting for the edges to report on the destinations"
  return hs
end
if healthy.status == "False" then
  hs.status = "Degraded"
  hs.message = healthy.reason .. ": " .. healthy.message
  return hs
end
hs.status = "Healthy"
hs.message = healthy.message
return hs
