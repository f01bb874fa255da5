-- The common path's search for a free offset, cheaper: instead of one query over every busy offset of
-- every block of the host (whose anti-join grew with the square of the host's allocations), the
-- lowest block with room is found by counting per block, then only that block is searched. Same
-- signature, locks, indexes and results as in migration ipam_allocate_function.

CREATE OR REPLACE FUNCTION switchyard_ipam_allocate(
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
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_column
DECLARE
  v_failed numeric[] := '{}';
  v_skipped numeric[] := '{}';
  v_from numeric := 0;
  v_offset numeric;
  v_block numeric;
  v_empty boolean;
  v_lo numeric;
  v_hi numeric;
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
    -- The host's lowest block with room: held or cooling offsets, reserved offsets and offsets found
    -- taken during this call, counted per block (each an index range scan of at most one block).
    v_offset := NULL;
    v_block := NULL;
    SELECT bl.k, bl.lo, bl.hi, bl.empty INTO v_block, v_lo, v_hi, v_empty
    FROM (
      SELECT b."index" AS k, b."index" * p_block_size AS lo, b."index" * p_block_size + p_block_size - 1 AS hi,
        b."emptySince" IS NOT NULL AS empty
      FROM "AddressBlock" b WHERE b."poolId" = p_pool AND b."hostId" = p_host
    ) bl
    WHERE (
        SELECT count(*) FROM (
          SELECT a."heldOffset" FROM "AddressAllocation" a
          WHERE a."poolId" = p_pool AND a."heldOffset" BETWEEN bl.lo AND bl.hi
            AND (a."releasedAt" IS NULL OR a."reusableAt" > p_now)
          UNION SELECT x FROM unnest(v_failed) AS x WHERE x BETWEEN bl.lo AND bl.hi
        ) taken
      ) + (
        SELECT coalesce(sum(least(r.l, bl.hi) - greatest(r.f, bl.lo) + 1), 0)
        FROM unnest(p_reserved_first, p_reserved_last) AS r(f, l) WHERE r.f <= bl.hi AND r.l >= bl.lo
      ) < p_block_size
    ORDER BY bl.k
    LIMIT 1;

    IF v_block IS NOT NULL THEN
      -- Its lowest free offset: the block's first offset, or right after a taken or reserved one.
      SELECT min(c.o) INTO v_offset
      FROM (
        SELECT v_lo AS o
        UNION ALL SELECT a."heldOffset" + 1 FROM "AddressAllocation" a
          WHERE a."poolId" = p_pool AND a."heldOffset" BETWEEN v_lo AND v_hi
        UNION ALL SELECT x + 1 FROM unnest(v_failed) AS x
        UNION ALL SELECT r.l + 1 FROM unnest(p_reserved_first, p_reserved_last) AS r(f, l)
      ) c
      WHERE c.o BETWEEN v_lo AND v_hi
        AND NOT (c.o = ANY (v_failed))
        AND NOT EXISTS (
          SELECT 1 FROM unnest(p_reserved_first, p_reserved_last) AS r(f, l) WHERE c.o BETWEEN r.f AND r.l)
        AND NOT EXISTS (
          SELECT 1 FROM "AddressAllocation" a
          WHERE a."poolId" = p_pool AND a."heldOffset" = c.o AND (a."releasedAt" IS NULL OR a."reusableAt" > p_now));
    END IF;

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

    -- The host's blocks are full (or what looked free was taken meanwhile): the lowest claimable block >= v_from.
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
