-- expect: deeper than
-- code: misuse commits
oe.on('order.status_changed', function(ev) local o = ev.order if o.status == 'received' then o:set_status('processing') elseif o.status == 'processing' then o:set_status('received') end end) new_order()
