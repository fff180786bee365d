//! Reed-Solomon error correction over GF(256) (the QR polynomial, exp/log tables built at
//! compile time): Berlekamp-Massey, Chien search, Forney, result re-checked by the
//! syndromes.
//!
//! In: one block (data + error-correction codewords). Out: the block corrected in place,
//! or [`DataError::Ecc`] when it has too many errors.

use super::DataError;

/// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1: exp (doubled) and log tables.
struct Gf {
    exp: [u8; 512],
    log: [u8; 256],
}

const GF: Gf = {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        exp[i + 255] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11d;
        }
        i += 1;
    }
    exp[510] = exp[0];
    exp[511] = exp[1];
    Gf { exp, log }
};

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    GF.exp[GF.log[a as usize] as usize + GF.log[b as usize] as usize]
}

fn inv(a: u8) -> u8 {
    // a != 0 is checked by the callers; 0 maps to 0.
    if a == 0 {
        return 0;
    }
    GF.exp[255 - GF.log[a as usize] as usize]
}

/// alpha^e for any e >= 0.
fn pow_alpha(e: usize) -> u8 {
    GF.exp[e % 255]
}

/// Evaluate a polynomial given lowest degree first.
fn eval_low(p: &[u8], x: u8) -> u8 {
    p.iter().rev().fold(0, |acc, &c| mul(acc, x) ^ c)
}

/// Reed-Solomon correction in place (`block[0]` is the highest-degree coefficient, the
/// generator's roots are alpha^0 .. alpha^(ecc-1)). Berlekamp-Massey, Chien search, Forney.
pub(super) fn rs_correct(block: &mut [u8], ecc: usize) -> Result<(), DataError> {
    let n = block.len();
    if ecc == 0 || n > 255 || ecc >= n {
        return Err(DataError::Format);
    }
    let syndromes = |b: &[u8]| -> Vec<u8> {
        (0..ecc)
            .map(|i| {
                let x = pow_alpha(i);
                b.iter().fold(0, |acc, &c| mul(acc, x) ^ c)
            })
            .collect()
    };
    let s = syndromes(block);
    if s.iter().all(|&v| v == 0) {
        return Ok(());
    }
    // Berlekamp-Massey: error locator sigma (lowest degree first).
    let mut sigma = vec![0u8; ecc + 1];
    let mut prev = vec![0u8; ecc + 1];
    if let (Some(a), Some(b)) = (sigma.first_mut(), prev.first_mut()) {
        *a = 1;
        *b = 1;
    }
    let mut l = 0usize;
    let mut m = 1usize;
    let mut bb = 1u8;
    for k in 0..ecc {
        let mut d = s.get(k).copied().unwrap_or(0);
        for i in 1..=l {
            d ^= mul(
                sigma.get(i).copied().unwrap_or(0),
                s.get(k.wrapping_sub(i)).copied().unwrap_or(0),
            );
        }
        if d == 0 {
            m += 1;
            continue;
        }
        let coef = mul(d, inv(bb));
        let old = sigma.clone();
        for i in m..=ecc {
            let p = prev.get(i - m).copied().unwrap_or(0);
            if let Some(c) = sigma.get_mut(i) {
                *c ^= mul(coef, p);
            }
        }
        if 2 * l <= k {
            l = k + 1 - l;
            prev = old;
            bb = d;
            m = 1;
        } else {
            m += 1;
        }
    }
    if 2 * l > ecc {
        return Err(DataError::Ecc);
    }
    // Error evaluator omega = s * sigma mod x^ecc.
    let mut omega = vec![0u8; ecc];
    for (i, o) in omega.iter_mut().enumerate() {
        let mut acc = 0;
        for j in 0..=i.min(l) {
            acc ^= mul(
                sigma.get(j).copied().unwrap_or(0),
                s.get(i - j).copied().unwrap_or(0),
            );
        }
        *o = acc;
    }
    // Formal derivative of sigma (odd terms).
    let deriv: Vec<u8> = (1..sigma.len())
        .map(|i| {
            if i % 2 == 1 {
                sigma.get(i).copied().unwrap_or(0)
            } else {
                0
            }
        })
        .collect();
    let mut found = 0;
    for p in 0..n {
        // Error at power p (block[n-1-p]) iff sigma(alpha^-p) == 0.
        let xinv = pow_alpha(255 - p % 255);
        if eval_low(&sigma, xinv) != 0 {
            continue;
        }
        let den = eval_low(&deriv, xinv);
        if den == 0 {
            return Err(DataError::Ecc);
        }
        // Forney with first root alpha^0: e = X * omega(X^-1) / sigma'(X^-1).
        let e = mul(pow_alpha(p), mul(eval_low(&omega, xinv), inv(den)));
        if let Some(c) = block.get_mut(n - 1 - p) {
            *c ^= e;
        }
        found += 1;
    }
    if found != l || syndromes(block).iter().any(|&v| v != 0) {
        return Err(DataError::Ecc);
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Reed-Solomon encoder (generator with roots alpha^0 .. alpha^(ecc-1)).
    pub(in crate::qrdata) fn rs_encode(data: &[u8], ecc: usize) -> Vec<u8> {
        let mut gen = vec![1u8]; // highest degree first
        for i in 0..ecc {
            let root = pow_alpha(i);
            let mut next = vec![0u8; gen.len() + 1];
            for (j, &g) in gen.iter().enumerate() {
                next[j] ^= g;
                next[j + 1] ^= mul(g, root);
            }
            gen = next;
        }
        let mut rem = vec![0u8; ecc];
        for &d in data {
            let f = d ^ rem[0];
            rem.remove(0);
            rem.push(0);
            for (r, &g) in rem.iter_mut().zip(gen.iter().skip(1)) {
                *r ^= mul(f, g);
            }
        }
        let mut out = data.to_vec();
        out.extend(rem);
        out
    }

    #[test]
    fn reed_solomon_corrects_up_to_half_the_parity() {
        let mut seed = 12345u32;
        let mut rnd = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 16) as usize
        };
        for &(n_data, ecc) in &[(19usize, 7usize), (9, 17), (43, 26), (116, 30), (15, 22)] {
            for errors in 0..=ecc / 2 {
                let data: Vec<u8> = (0..n_data).map(|_| rnd() as u8).collect();
                let clean = rs_encode(&data, ecc);
                let mut block = clean.clone();
                let mut hit = Vec::new();
                while hit.len() < errors {
                    let p = rnd() % block.len();
                    if !hit.contains(&p) {
                        hit.push(p);
                        block[p] ^= (rnd() % 255 + 1) as u8;
                    }
                }
                assert_eq!(
                    rs_correct(&mut block, ecc),
                    Ok(()),
                    "{n_data}+{ecc}, {errors} errors"
                );
                assert_eq!(block, clean);
            }
            // Far too many errors: must fail (or, rarely, miscorrect), never panic.
            let mut block = rs_encode(&vec![7u8; n_data], ecc);
            for b in block.iter_mut().take(ecc) {
                *b ^= 0x5a;
            }
            let _ = rs_correct(&mut block, ecc);
        }
    }
}
