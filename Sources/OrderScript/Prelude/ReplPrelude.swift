import OrderCore

/// The Lua side of `oe repl`: evaluates a chunk the way lua.c does (an expression prints its
/// value; an incomplete chunk asks for more), keeps the last value in `_`, and formats values:
/// orders and lists of orders as aligned tables (box drawing and colour on a terminal), other
/// tables as Lua literals laid out by structure within the terminal's width, with a depth and
/// size cap, or indented JSON (`.mode`).
enum ReplPrelude {
    static let source = #"""
local ESC = string.char(27)
local status_colours = {
  pending_payment = "90", received = "33", processing = "36", shipped = "34", ready_for_pickup = "35",
  picked_up = "32", delivered = "32", cancelled = "31", returned = "31", payment_problem = "91", backorder = "33",
}
local payment_colours = {
  none = "90", authorized = "33", partially_authorized = "33", partially_captured = "36", captured = "32", partially_refunded = "35",
  refunded = "35", voided = "90", expired = "91",
}

local function paint(s, code, colour)
  if colour and code then return ESC .. "[" .. code .. "m" .. s .. ESC .. "[0m" end
  return s
end

local function width(s) return utf8.len(s) or #s end

local function kr(v)
  if math.type(v) ~= "integer" then return tostring(v) end
  local sign = v < 0 and "-" or ""
  v = math.abs(v)
  return string.format("%s%d.%02d", sign, v // 100, v % 100)
end

local function is_order(v)
  if type(v) ~= "table" then return false end
  local mt = getmetatable(v)
  if type(mt) == "table" and mt.__name == "oe.order" then return true end
  -- A plain order.get / order.find row (not a command result that merely names the order).
  return math.type(v.order) == "integer" and type(v.status) == "string" and v.payment_state ~= nil
    and math.type(v.total) == "integer" and type(v.customer) == "table"
end

local function is_list_of(v, pred)
  if type(v) ~= "table" or #v == 0 then return false end
  for k in pairs(v) do if math.type(k) ~= "integer" then return false end end
  for _, x in ipairs(v) do if not pred(x) then return false end end
  return true
end

-- A table of rows: columns = {{key, title, align ("l"|"r"), fn(row, colour) -> text, paint code}}.
local function grid(rows, columns, colour, box)
  local head, cells, widths = {}, {}, {}
  for c, col in ipairs(columns) do head[c] = col[2]; widths[c] = width(col[2]) end
  for r, row in ipairs(rows) do
    cells[r] = {}
    for c, col in ipairs(columns) do
      local text, code = col[4](row)
      text = tostring(text == nil and "" or text)
      cells[r][c] = { text, code }
      if width(text) > widths[c] then widths[c] = width(text) end
    end
  end
  local function pad(text, w, align)
    local gap = string.rep(" ", w - width(text))
    return align == "r" and gap .. text or text .. gap
  end
  local V, H, TL, TM, TR, ML, MM, MR, BL, BM, BR
  if box then
    V, H, TL, TM, TR, ML, MM, MR, BL, BM, BR = "│", "─", "┌", "┬", "┐", "├", "┼", "┤", "└", "┴", "┘"
  else
    V, H, TL, TM, TR, ML, MM, MR, BL, BM, BR = "|", "-", "+", "+", "+", "+", "+", "+", "+", "+", "+"
  end
  local function rule(l, m, r)
    local parts = {}
    for c = 1, #columns do parts[c] = string.rep(H, widths[c] + 2) end
    return l .. table.concat(parts, m) .. r
  end
  local out = { rule(TL, TM, TR) }
  local hp = {}
  for c, col in ipairs(columns) do hp[c] = " " .. pad(head[c], widths[c], col[3]) .. " " end
  out[#out + 1] = V .. table.concat(hp, V) .. V
  out[#out + 1] = rule(ML, MM, MR)
  for r = 1, #rows do
    local rp = {}
    for c, col in ipairs(columns) do
      local cell = cells[r][c]
      rp[c] = " " .. paint(pad(cell[1], widths[c], col[3]), cell[2], colour) .. " "
    end
    out[#out + 1] = V .. table.concat(rp, V) .. V
  end
  out[#out + 1] = rule(BL, BM, BR)
  return table.concat(out, "\n")
end

local order_columns = {
  { "order", "order", "r", function(o) return o.reference or o.order end },
  { "status", "status", "l", function(o) return o.status, status_colours[o.status] end },
  { "payment", "payment", "l", function(o) return o.payment_state, payment_colours[o.payment_state] end },
  { "fulfilment", "fulfilment", "l", function(o) return o.fulfilment_state end },
  { "total", "total", "r", function(o) return kr(o.total) end },
  { "captured", "captured", "r", function(o) return kr(o.captured or 0) end },
  { "customer", "customer", "l", function(o) return o.customer and o.customer.name or "" end },
  { "created", "created", "l", function(o) return o.created_at and (o.created_at:sub(1, 16):gsub("T", " ")) or "" end },
}

local line_columns = {
  { "sku", "sku", "l", function(l) return l.sku end },
  { "name", "name", "l", function(l) return l.name end },
  { "qty", "qty", "r", function(l) return l.qty end },
  { "unit", "unit price", "r", function(l) return kr(l.unit_price) end },
  { "vat", "VAT", "r", function(l) return (l.vat_rate // 100) .. " %" end },
  { "total", "total", "r", function(l) return kr(l.total) end },
}

local literal

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

-- The entries of a table as literal parts ("key = value" or "value", then "… (n items)" when
-- cut), each value drawn by render(value, depth, prefix) so one walk serves both layouts.
local function parts_of(v, depth, seen, render)
  local parts, n, shown = {}, #v, 0
  for i = 1, n do
    shown = shown + 1
    if shown > 20 then parts[#parts + 1] = "… (" .. n .. " items)"; break end
    parts[#parts + 1] = render(v[i], depth + 1, "")
  end
  local keys = {}
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for i, k in ipairs(keys) do
    if shown + i > 24 then parts[#parts + 1] = "… (" .. #keys .. " keys)"; break end
    local key = (is_identifier(k) and k or ("[" .. literal(k, depth + 1, seen) .. "]")) .. " = "
    parts[#parts + 1] = key .. render(v[k], depth + 1, key)
  end
  return parts
end

-- A value as a one-line Lua literal, with a depth and size cap.
function literal(v, depth, seen)
  if v == oe.null then return "oe.null" end
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  if seen[v] then return "<cycle>" end
  if depth >= 4 then return "{…}" end
  seen[v] = true
  local parts = parts_of(v, depth, seen, function(x, d) return literal(x, d, seen) end)
  seen[v] = nil
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- A value laid out by its structure: on one line when it fits in `avail` columns, otherwise
-- one entry a line, indented, each entry again on one line if it fits (never cut mid-word).
local function pretty(v, depth, seen, indent, avail)
  local flat = literal(v, depth, seen)
  if type(v) ~= "table" or v == oe.null or width(flat) <= avail or seen[v] or depth >= 4 then return flat end
  seen[v] = true
  local inner = indent .. "  "
  local parts = parts_of(v, depth, seen, function(x, d, prefix)
    return pretty(x, d, seen, inner, avail - 3 - width(prefix))  -- indent and the comma
  end)
  seen[v] = nil
  if #parts == 0 then return flat end
  return "{\n" .. inner .. table.concat(parts, ",\n" .. inner) .. "\n" .. indent .. "}"
end

-- JSON, indented by two spaces a level (keys sorted), as `.mode json` prints it.
local json
function json(v, depth)
  depth = depth or 0
  if v == nil or v == oe.null then return "null" end
  local t = type(v)
  if t == "boolean" then return tostring(v) end
  if t == "number" then return math.type(v) == "integer" and tostring(v) or string.format("%.17g", v) end
  if t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c)
      local map = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
      return map[c] or string.format("\\u%04x", c:byte())
    end) .. '"'
  end
  if t ~= "table" or depth > 20 then return '"<' .. t .. '>"' end
  local pad, inner = string.rep("  ", depth), string.rep("  ", depth + 1)
  local n = #v
  local count = 0
  for _ in pairs(v) do count = count + 1 end
  if count == 0 then return "{}" end
  if count == n then
    local parts = {}
    for i = 1, n do parts[i] = json(v[i], depth + 1) end
    return "[\n" .. inner .. table.concat(parts, ",\n" .. inner) .. "\n" .. pad .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do
    parts[i] = json(k) .. ": " .. json(v[k] == nil and v[tonumber(k)] or v[k], depth + 1)
  end
  return "{\n" .. inner .. table.concat(parts, ",\n" .. inner) .. "\n" .. pad .. "}"
end

local columns = 80

local function format(v, mode, colour, box)
  if mode == "json" then return json(v) end
  if mode == "table" then
    if is_order(v) then
      local out = grid({ v }, order_columns, colour, box)
      if type(v.lines) == "table" and #v.lines > 0 then out = out .. "\n" .. grid(v.lines, line_columns, colour, box) end
      return out
    end
    if is_list_of(v, is_order) then return grid(v, order_columns, colour, box) .. "\n(" .. #v .. " orders)" end
  end
  if type(v) == "table" then return pretty(v, 0, {}, "", columns) end
  if type(v) == "string" then return v end
  return tostring(v)
end

-- Formats rows with the given columns (for the dot-commands).
function __repl_grid(rows, spec, colour, box)
  local columns = {}
  for i, c in ipairs(spec) do
    local key, title, align, money = c[1], c[2], c[3] or "l", c[4]
    columns[i] = { key, title, align, function(row)
      local v = row[key]
      if v == nil then return "" end
      if money then return kr(v) end
      if key == "status" then return v, status_colours[v] end
      if key == "payment_state" then return v, payment_colours[v] end
      if type(v) == "table" then return literal(v, 2, {}) end
      return tostring(v)
    end }
  end
  if #rows == 0 then return "(none)" end
  return grid(rows, columns, colour, box)
end

function __repl_format(v, mode, colour, box)
  return format(v, mode, colour, box)
end

-- Sets the terminal width that values are laid out in.
function __repl_columns(n)
  if math.type(n) == "integer" and n >= 20 then columns = n end
end

-- Evaluates one chunk: {status = "incomplete"} when more lines are needed, else
-- {status = "ok", text = <formatted values or "">}. Errors propagate (with a traceback).
function __repl_eval(source, mode, colour, box)
  local f = load("return " .. source, "=stdin")
  if not f then
    local g, err = load(source, "=stdin")
    if not g then
      if err:find("<eof>$") then return { status = "incomplete" } end
      error(err, 0)
    end
    f = g
  end
  local results = table.pack(f())
  if results.n == 0 then return { status = "ok", text = "" } end
  rawset(_G, "_", results[1])
  local parts = {}
  for i = 1, results.n do parts[i] = format(results[i], mode, colour, box) end
  return { status = "ok", text = table.concat(parts, "\t") }
end
"""#
}

extension LuaHost {
    /// Defines the REPL helpers (`__repl_eval`, `__repl_format`, `__repl_grid`) in the sandbox.
    public func enableRepl() throws(OrderError) {
        try eval(ReplPrelude.source, chunkname: "=repl")
    }
}
