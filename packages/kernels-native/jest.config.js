module.exports = { ...require('../../jest.preset.js'), displayName: 'kernels-native' };
