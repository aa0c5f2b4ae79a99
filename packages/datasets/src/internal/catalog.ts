/** Provenance and licence text of each dataset family. */
export const PROVENANCE = {
  rmd17:
    "rMD17 (Christensen and von Lilienfeld 2020, figshare 'Revised MD17 dataset'), split 01, " +
    "from the GitHub repository andersx/rmd17-npz (CC0 1.0); geometries from MD17 " +
    "(Chmiela et al. 2017). rMD17 labels: PBE/def2-SVP energies and forces.",
  md17:
    "MD17 ethanol (Chmiela et al., Sci. Adv. 3, e1603015, 2017), 2000 frames from " +
    "atomistic-machine-learning/schnetpack data_tutorial/ethanol_sampledata.xyz (MIT licence).",
  md17OfRmd17:
    "Original MD17 labels (Chmiela et al. 2017) of the rMD17 split-01 frames, from the " +
    "old_energies/old_forces keys of andersx/rmd17-npz (CC0 1.0).",
  qm9:
    "QM9 (Ramakrishnan, Dral, Rupp, von Lilienfeld, Sci. Data 1, 140022, 2014; CC0): 14,170 " +
    "geometries from ppqm/dataset-qm9 (no licence stated; the QM9 figshare geometries) joined " +
    "on mol_id with targets from Shreyas-Bhat/MolPropPred data/qm9_small.csv (MoleculeNet " +
    "layout, no licence stated).",
} as const;
