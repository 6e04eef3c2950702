// The fleet both service tests boot: a demo-based backend that supports resume, one watched agent
// (the watchdog heals it) and one unwatched (`service run` starts it before the watchdog).
export const RESUMER_FLEET = `
[backend.resumer]
preset = "demo"
supports_resume = true

[[agent]]
name = "w"
backend = "resumer"
watch = "heal"
[[agent]]
name = "u"
backend = "resumer"
`;
