-- wrk: POST the body in $BODY with the content type in $TYPE (and $AUTH as Authorization).
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = os.getenv("TYPE") or "application/x-www-form-urlencoded"
local auth = os.getenv("AUTH")
if auth then wrk.headers["Authorization"] = auth end
