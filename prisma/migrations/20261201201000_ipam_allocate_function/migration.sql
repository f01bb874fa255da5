-- IPAM's common path as one statement (hand-written: Prisma does not model functions, so the schema
-- drift check is unaffected). `switchyard_ipam_allocate` hands a host the lowest free address of its own
-- blocks, claiming the lowest claimable block when they are full, under the same per-(pool, host)
-- advisory lock and on the same unique indexes as the TypeScript path in packages/control/src/ipam
-- (which still serves sticky keys, explicit addresses, borrowing and exhaustion). Every search is
-- bounded by rows and reserved ranges, never by the size of the pool: candidates for the lowest free
-- offset are a block's first offset, the successor of each busy offset and the end of each reserved
-- range; candidates for the lowest claimable block are `from`, the successor of each claimed block and
-- the block after each reserved range.

-- RFC 5952 text of an address (IPv4 dotted quad). PostgreSQL prints IPv6 per RFC 5952 except for
-- ::/80 (embedded IPv4), which callers keep to the TypeScript path.
CREATE FUNCTION switchyard_ipam_address_text(p_family integer, p_value numeric) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  v numeric := p_value;
  groups text[] := '{}';
BEGIN
  IF p_family = 4 THEN
    RETURN host('0.0.0.0'::inet + p_value::bigint);
  END IF;
  FOR i IN 1..8 LOOP
    groups := to_hex(mod(v, 65536)::integer) || groups;
    v := div(v, 65536);
  END LOOP;
  RETURN host(array_to_string(groups, ':')::inet);
END $$;

-- Status 'taken' with the new row's id, offset, block and address; 'no_host' when the host does not
-- exist; 'full' when neither the host's blocks nor any claimable block has a free address (the caller
-- then borrows or reports exhaustion). p_reserved_first/last: the pool's merged reserved ranges. May run
-- inside a caller's transaction (the lock is then held until that transaction ends, as in TypeScript).
CREATE FUNCTION switchyard_ipam_allocate(
  p_pool text,
  p_host text,
  p_now timestamp(3),
  p_family integer,
  p_network numeric,
  p_block_size numeric,
  p_block_count numeric,
  p_reserved_first numeric[],
  p_reserved_last numeric[],
  p_sticky_key text,
  p_network_id text,
  p_endpoint_id text,
  p_allocated_by text,
  p_reason text
) RETURNS TABLE (status text, id text, "offset" numeric, block_index numeric, address text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  v_failed numeric[] := '{}';
  v_skipped numeric[] := '{}';
  v_from numeric := 0;
  v_offset numeric;
  v_block numeric;
  v_empty boolean;
  v_k numeric;
  v_id text;
  v_address text;
  v_waited integer := 0;
BEGIN
  -- The key TypeScript's lockHostInPool takes: both paths serialize one host's requests in one pool.
  PERFORM pg_advisory_xact_lock(hashtext(p_pool), hashtext(p_host));
  IF NOT EXISTS (SELECT 1 FROM "Host" h WHERE h."id" = p_host) THEN
    RETURN QUERY SELECT 'no_host'::text, NULL::text, NULL::numeric, NULL::numeric, NULL::text;
    RETURN;
  END IF;
  LOOP
    -- The lowest offset of the host's blocks that is neither reserved nor busy (held, or cooling down),
    -- nor already found taken by someone outside this lock during this call.
    SELECT c.o, c.k, c.empty INTO v_offset, v_block, v_empty
    FROM (
      WITH blocks AS (
        SELECT b."index" AS k, b."index" * p_block_size AS lo, b."index" * p_block_size + p_block_size - 1 AS hi,
          b."emptySince" IS NOT NULL AS empty
        FROM "AddressBlock" b WHERE b."poolId" = p_pool AND b."hostId" = p_host
      ),
      busy AS (
        SELECT a."heldOffset" AS o FROM blocks bl JOIN "AddressAllocation" a
          ON a."poolId" = p_pool AND a."heldOffset" BETWEEN bl.lo AND bl.hi
        WHERE a."releasedAt" IS NULL OR a."reusableAt" > p_now
        UNION SELECT unnest(v_failed)
      ),
      reserved AS (SELECT r.f, r.l FROM unnest(p_reserved_first, p_reserved_last) AS r(f, l))
      SELECT cand.o, bl.k, bl.empty
      FROM (
        SELECT bl.lo AS o FROM blocks bl
        UNION SELECT busy.o + 1 FROM busy
        UNION SELECT reserved.l + 1 FROM reserved
      ) cand
      JOIN blocks bl ON cand.o BETWEEN bl.lo AND bl.hi
      WHERE NOT EXISTS (SELECT 1 FROM reserved WHERE cand.o BETWEEN reserved.f AND reserved.l)
        AND NOT EXISTS (SELECT 1 FROM busy WHERE busy.o = cand.o)
      ORDER BY cand.o
      LIMIT 1
    ) c;

    IF v_offset IS NOT NULL THEN
      -- An expired cooldown still holding the offset lets go; the block is in use again.
      UPDATE "AddressAllocation" a SET "heldOffset" = NULL
      WHERE a."poolId" = p_pool AND a."heldOffset" = v_offset AND a."releasedAt" IS NOT NULL
        AND a."reusableAt" <= p_now;
      IF v_empty THEN
        UPDATE "AddressBlock" b SET "emptySince" = NULL
        WHERE b."poolId" = p_pool AND b."index" = v_block AND b."hostId" = p_host;
      END IF;
      v_address := switchyard_ipam_address_text(p_family, p_network + v_offset);
      INSERT INTO "AddressAllocation" ("id", "poolId", "address", "offset", "heldOffset", "blockIndex", "hostId",
        "source", "stickyKey", "networkId", "endpointId", "allocatedAt", "allocatedBy", "reason")
      VALUES (gen_random_uuid()::text, p_pool, v_address, v_offset, v_offset, v_block, p_host,
        'block', p_sticky_key, p_network_id, p_endpoint_id, p_now, p_allocated_by, p_reason)
      ON CONFLICT ("poolId", "heldOffset") DO NOTHING
      RETURNING "AddressAllocation"."id" INTO v_id;
      IF v_id IS NOT NULL THEN
        RETURN QUERY SELECT 'taken'::text, v_id, v_offset, v_block, v_address;
        RETURN;
      END IF;
      -- Taken outside this host's lock (an explicit, sticky or borrowed allocation): the next one.
      v_failed := v_failed || v_offset;
      CONTINUE;
    END IF;

    -- The host's blocks are full: the lowest claimable block >= v_from.
    SELECT min(cand.k) INTO v_k
    FROM (
      SELECT v_from AS k
      UNION SELECT b."index" + 1 FROM "AddressBlock" b WHERE b."poolId" = p_pool AND b."index" >= v_from - 1
      UNION SELECT div(r.l + 1, p_block_size) FROM unnest(p_reserved_first, p_reserved_last) AS r(f, l)
        WHERE div(r.l + 1, p_block_size) >= v_from
    ) cand
    WHERE cand.k < p_block_count
      AND NOT EXISTS (SELECT 1 FROM "AddressBlock" b WHERE b."poolId" = p_pool AND b."index" = cand.k)
      AND NOT EXISTS (
        SELECT 1 FROM unnest(p_reserved_first, p_reserved_last) AS r(f, l)
        WHERE r.f <= cand.k * p_block_size AND r.l >= cand.k * p_block_size + p_block_size - 1);

    IF v_k IS NOT NULL THEN
      v_from := v_k + 1;
      -- The key TypeScript's tryLockBlockClaim takes: skip a block someone is claiming right now
      -- instead of queueing behind its uncommitted insert.
      IF NOT pg_try_advisory_xact_lock(hashtext(p_pool || ':blocks'), hashtext(v_k::numeric(39, 0)::text)) THEN
        v_skipped := v_skipped || v_k;
        CONTINUE;
      END IF;
    ELSIF v_waited < cardinality(v_skipped) THEN
      -- Every other claimable block was being claimed: wait for those claims, one may roll back.
      v_waited := v_waited + 1;
      v_k := v_skipped[v_waited];
    ELSE
      RETURN QUERY SELECT 'full'::text, NULL::text, NULL::numeric, NULL::numeric, NULL::text;
      RETURN;
    END IF;
    INSERT INTO "AddressBlock" ("id", "poolId", "index", "hostId", "claimedAt")
    VALUES (gen_random_uuid()::text, p_pool, v_k, p_host, p_now)
    ON CONFLICT ("poolId", "index") DO NOTHING;
    -- Claimed or not, the next round looks at the host's blocks again (now with this one, if won).
  END LOOP;
END $$;
