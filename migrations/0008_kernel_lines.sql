-- Streams follow the kernel line (an Ubuntu release's GA and HWE kernels
-- apart), and ABI keys the RHEL minor release and the SUSE service pack.
-- Recomputed with the program's own rules (kh_stream, kh_abi: src/store/db.ts),
-- so kernels recorded before compare with new ones on the same terms.
UPDATE releases
   SET stream = kh_stream(distro, distro_release, package, flavour),
       abi = kh_abi(distro, version)
 WHERE kind = 'kernel';
