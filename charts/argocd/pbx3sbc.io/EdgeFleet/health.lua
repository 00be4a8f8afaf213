-- ArgoCD health check for pbx3sbc.io/EdgeFleet: the operator's phase and conditions as ArgoCD verdicts.
-- Ready -> Healthy; Promoting -> Progressing; Degraded -> Degraded; Paused -> Suspended;
-- a status the operator has not written yet for this generation -> Progressing.
local hs = { status = "Progressing", message = "Waiting for the operator to act on this EdgeFleet" }
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
local degraded = conditions["Degraded"]
if obj.status.phase == "Degraded" or (degraded ~= nil and degraded.status == "True") then
  hs.status = "Degraded"
  hs.message = degraded ~= nil and (degraded.reason .. ": " .. degraded.message) or "The EdgeFleet is degraded"
  return hs
end
if obj.status.phase == "Paused" then
  hs.status = "Suspended"
  hs.message = "Promotion is paused (spec.promotion.paused)"
  return hs
end
if obj.status.phase == "Ready" then
  local ready = conditions["Ready"]
  hs.status = "Healthy"
  hs.message = ready ~= nil and ready.message or ("Routing version " .. tostring(obj.status.activeVersion) .. " is active")
  return hs
end
local progressing = conditions["Progressing"]
hs.status = "Progressing"
hs.message = progressing ~= nil and progressing.message or "Promoting a routing version"
return hs
